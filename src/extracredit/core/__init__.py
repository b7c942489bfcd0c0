"""The rules, pure: data in, decisions out; no I/O, no client objects, no words a person reads."""
