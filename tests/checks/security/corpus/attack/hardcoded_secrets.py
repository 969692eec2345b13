# ruff: noqa
"""Credentials written into the source."""
GITHUB_TOKEN = "ghp_R8mX2vQk9LpT4wZ7nB3yC6dF1hJ5sG0uV2aE"  # attack: MB320
AWS_KEY_ID = "AKIA4QXR7TZ2MNBV8KLW"  # attack: MB320
SLACK = "xoxb-2048719350-4096823197-Zq8RkT3mWv9XpL2nYc5B"  # attack: MB320
STRIPE = "sk_live_4eC39HqLyjWDarjtT1zdp7dcQz9Rk2Lm"  # attack: MB320
db_password = "Tr0ub4dor&3xKq9!vZ"  # attack: MB320


class Client:
    api_key = "q8Vz2LmPx7RtK4wN9bYc3HdF"  # attack: MB320

    def login(self, session):
        return session.login(user="bot", password="Xk9mP2vL8qR4tZw7")  # attack: MB320


SETTINGS = {"secret": "dG9rZW46c2VjcmV0OjQ4OTIzNzQ5"}  # attack: MB320


def connect(token="N7fK2pQ9xL4mR8vT3zW6yB1c"):  # attack: MB320
    return token
