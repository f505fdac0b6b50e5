"""Tools & Execute Code: HTTP requests, Functions, TwiML Redirect, subflows."""
