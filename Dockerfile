# syntax=docker/dockerfile:1

# --- build ---------------------------------------------------------------------
FROM golang:1.26-bookworm AS build
WORKDIR /src

# Dependencies first, so they stay cached while only the code changes.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download

COPY . .
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /out/trennwand ./cmd/trennwand \
 && mkdir -p /out/data

# --- runtime -------------------------------------------------------------------
# Distroless static: no shell, no package manager, runs as uid/gid 65532 (nonroot).
FROM gcr.io/distroless/static-debian12:nonroot

COPY --from=build /out/trennwand /trennwand
# /data must belong to nonroot: a fresh named volume takes over this ownership.
COPY --from=build --chown=65532:65532 /out/data /data

ENV TRENNWAND_DATA=/data \
    TRENNWAND_ADDR=:8443
VOLUME /data
EXPOSE 8443

# There is no curl or wget in distroless, so the health probe goes through the
# binary itself: `trennwand healthcheck` requests https://127.0.0.1:8443/readyz
# (`--url` to override) and exits non-zero when the server is not ready.
# docker-compose.yml declares the same probe for the compose setup.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["/trennwand", "healthcheck"]

USER nonroot:nonroot
ENTRYPOINT ["/trennwand"]
CMD ["serve"]
