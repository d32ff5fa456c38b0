#!/usr/bin/env bash
# The benchmarks, one command each (see docs/PERFORMANCE.md):
#   bench/run.sh [--name=value ...]                   the outbox relay (issue 1)
#   bench/run.sh --suite=failover [--name=value ...]  LLM failover overhead and timeline (issue 3)
#   bench/run.sh --suite=api [--name=value ...]       POST /v1/conversations/{id}/messages (issue 4)
#   bench/run.sh --suite=journal [--name=value ...]   journal appends against raw write+force (issue 16)
#   bench/run.sh --suite=cluster [--name=value ...]   1, 2, 3 relays and 1, 2 API nodes on one PostgreSQL and Kafka (issue 15)
# Builds the service (no tests), compiles the harness in bench/src, and runs it. It starts its own
# embedded PostgreSQL and Kafka, so only a JDK 17 is needed. Results: stdout and bench/results/.
set -euo pipefail
cd "$(dirname "$0")/.."

main=dev.soma.resilience.bench.OutboxBenchmark
if [[ "${1:-}" == --suite=* ]]; then
  case "${1#--suite=}" in
    outbox) ;;
    failover) main=dev.soma.resilience.bench.FailoverBenchmark ;;
    api) main=dev.soma.resilience.bench.ApiBenchmark ;;
    journal) main=dev.soma.resilience.bench.JournalBenchmark ;;
    cluster) main=dev.soma.resilience.bench.ClusterBenchmark ;;
    *) echo "unknown suite '${1#--suite=}': outbox, failover, api, journal or cluster" >&2; exit 2 ;;
  esac
  shift
fi

out=target/bench
mkdir -p "$out/classes"
mvn_args=(-q compile org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath -Dmdep.outputFile="$out/classpath.txt"
  -Dmdep.includeScope=runtime)
# offline first (everything is usually in ~/.m2), then let Maven download what is missing
./mvnw -o "${mvn_args[@]}" 2>/dev/null || ./mvnw "${mvn_args[@]}"

service_cp="target/classes:$(cat "$out/classpath.txt")"
find bench/src/main/java -name '*.java' > "$out/sources.txt"
# the tests' TCP proxy (the journal suite cuts PostgreSQL with it); the rest of the test code stays out
echo src/test/java/dev/soma/resilience/testing/TcpProxy.java >> "$out/sources.txt"
javac --release 17 -nowarn -d "$out/classes" -cp "$service_cp" @"$out/sources.txt"

exec java -Xms1g -Xmx2g -XX:+UseG1GC \
  -Dbench.serviceClasspath="$service_cp" \
  -cp "$out/classes:$service_cp" "$main" "$@"
