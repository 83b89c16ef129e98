"""mentor-themes HTTP service: notes in, themes with evidence out, stored per tenant."""
