# technique: ssl default context replaced with an unverified one for the whole process
# class: host-tampering
# source: Checkmarx, malicious packages disabling TLS verification process-wide (MITM of the host)
# declares: network
import ssl

ssl._create_default_https_context = ssl._create_unverified_context
