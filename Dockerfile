# Substate's container image: the Maven wrapper builds the fat jar, a JRE runs it as a non-root user.
#   docker build -t substate .
#   docker run -p 8080:8080 -v substate-data:/data -e SUBSTATE_ADMIN_TOKEN=… substate
# The image runs `serve` on SQLite in the /data volume unless SUBSTATE_DATABASE_URL points elsewhere; compose.yaml
# runs two instances on PostgreSQL behind HAProxy.
ARG JAVA_VERSION=17

FROM eclipse-temurin:${JAVA_VERSION}-jdk AS build
WORKDIR /build
# Dependencies first, in their own layer: a change to the sources does not download them again.
COPY mvnw pom.xml ./
COPY .mvn .mvn
RUN ./mvnw -B -q dependency:go-offline
COPY src src
RUN ./mvnw -B -q package -DskipTests && cp target/substate.jar /build/substate.jar

FROM eclipse-temurin:${JAVA_VERSION}-jre
ARG SUBSTATE_UID=10001
# curl answers the health check; nothing else is added to the JRE image.
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid "${SUBSTATE_UID}" substate \
    && useradd --system --uid "${SUBSTATE_UID}" --gid substate --home-dir /app --shell /usr/sbin/nologin substate \
    && mkdir -p /app /data \
    && chown substate:substate /data
WORKDIR /app
COPY --from=build /build/substate.jar /app/substate.jar
ENV SUBSTATE_PORT=8080 \
    SUBSTATE_DATABASE_URL=jdbc:sqlite:/data/substate.db
VOLUME /data
EXPOSE 8080
USER substate
# Ready means the database answers and is migrated; an orchestrator restarts on /health/live instead.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD curl -fsS "http://127.0.0.1:${SUBSTATE_PORT}/health/ready" > /dev/null || exit 1
# The heap follows the container's memory limit (75% of it), leaving the rest to metaspace, threads and buffers.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/substate.jar"]
CMD ["serve"]
