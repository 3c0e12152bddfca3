"""The typer command line: parse options, call one library function, render, map to an exit code."""
