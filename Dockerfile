# The base image of Helm operation Jobs (addon_setting.helm_operation_base_image): the kpanda
# binary alone, which runs `kpanda helm-operation run`. Build: docker build -t IMAGE .
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /kpanda ./cmd/kpanda

# scratch plus CA certificates (HTTPS chart repositories) and a /tmp.
FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/
COPY --from=build --chown=65532:65532 /tmp /tmp
COPY --from=build /kpanda /usr/local/bin/kpanda
ENV PATH=/usr/local/bin
USER 65532:65532
ENTRYPOINT ["kpanda"]
