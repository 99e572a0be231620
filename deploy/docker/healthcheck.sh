#!/bin/sh
# Docker HEALTHCHECK for the DocFlow image. Only `docflow serve` listens on HTTP (/healthz); the same image
# also runs `worker` and `db migrate`, which have no port, so for them "running" is "healthy".
set -eu
case " $(tr '\0' ' ' < /proc/1/cmdline) " in
  *" serve "*) exec curl --fail --silent --show-error --output /dev/null --max-time 4 "http://127.0.0.1:${DOCFLOW_HTTP_PORT:-8080}/healthz" ;;
  *) exit 0 ;;
esac
