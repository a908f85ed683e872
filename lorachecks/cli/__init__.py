"""The command line: the entry point, the typer app and the commands' own work."""
