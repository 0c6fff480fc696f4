"""One module per kind of question; each registers itself with bot.router.handles."""
