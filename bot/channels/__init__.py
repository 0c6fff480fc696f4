"""Channel adapters: each turns a platform's update into a question and the core's Reply into the platform's format."""
