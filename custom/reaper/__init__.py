"""The zombie reaper: runs whose runner stopped heartbeating get a new attempt."""
