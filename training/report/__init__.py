"""The evaluation report: its types, how it is built, and the page and files it is
written as."""
