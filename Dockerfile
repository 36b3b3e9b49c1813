# syntax=docker/dockerfile:1

# --- build ---------------------------------------------------------------------
FROM golang:1.26-bookworm AS build
WORKDIR /src

# Dependencies first, so they stay cached while only the code changes.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download

# What `trennwand version` and the image's labels report; give them for a release:
#   docker build --build-arg VERSION=v1.0.0 --build-arg COMMIT=$(git rev-parse HEAD) \
#     --build-arg DATE=$(git log -1 --format=%cI) .
ARG VERSION=devel
ARG COMMIT=unknown
ARG DATE=unknown

COPY . .
# The same flags as `make build`: no symbol tables, the version stamped in, and step-ca's
# database backends left out (the CA keeps its tables in trennwand's own database).
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -tags 'nobadger nobbolt nomysql nopgx' \
      -ldflags "-s -w -X github.com/trennwand/trennwand/buildinfo.version=${VERSION} -X github.com/trennwand/trennwand/buildinfo.commit=${COMMIT} -X github.com/trennwand/trennwand/buildinfo.date=${DATE}" \
      -o /out/trennwand ./cmd/trennwand \
 && mkdir -p /out/data

# --- runtime -------------------------------------------------------------------
# Distroless static: no shell, no package manager, runs as uid/gid 65532 (nonroot).
FROM gcr.io/distroless/static-debian12:nonroot

ARG VERSION=devel
ARG COMMIT=unknown
ARG DATE=unknown
LABEL org.opencontainers.image.title="trennwand" \
      org.opencontainers.image.description="On-premises MDM for employees' own phones: a work container, nothing more" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${COMMIT}" \
      org.opencontainers.image.created="${DATE}" \
      org.opencontainers.image.licenses="EUPL-1.2"

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
