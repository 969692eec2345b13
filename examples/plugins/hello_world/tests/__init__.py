"""Tests of the hello_world plugin."""
