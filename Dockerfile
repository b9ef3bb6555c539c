# o2c as one replica: `o2c serve` on 0.0.0.0:50051. compose.yaml runs three of them on one
# PostgreSQL and a three-node NATS JetStream cluster.
FROM python:3.11-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends make \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /o2c
COPY pyproject.toml Makefile buf.yaml ./
COPY api api
COPY proto proto
COPY tools tools
COPY src src
# The gRPC modules are generated from proto/ (they are not in the repository).
RUN make proto PYTHON=python3 && python3 -m pip wheel --no-deps --wheel-dir /wheels .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 o2c
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER o2c
WORKDIR /home/o2c
ENV O2C_GRPC_ADDRESS=0.0.0.0:50051 \
    O2C_METRICS_ADDRESS=0.0.0.0:9464 \
    O2C_DASHBOARD_ADDRESS="" \
    O2C_LOG_FORMAT=json
EXPOSE 50051 9464
ENTRYPOINT ["o2c"]
CMD ["serve"]
