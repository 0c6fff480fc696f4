"""The fine-dust measures assistant: knowledge, rules core, question answering and channels."""
