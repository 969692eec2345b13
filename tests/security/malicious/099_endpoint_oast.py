# technique: out-of-band interaction domain (interactsh/OAST) contacted on import
# class: endpoints
# source: Datadog Security Labs and Socket, research-style "proof" packages calling oast.* domains
# declares: network
import socket

socket.gethostbyname("c9v2k1m3l0s8.oast.fun")
