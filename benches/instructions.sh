#!/bin/bash
# Chapter 11: instructions per request, counted by callgrind, for GET /plaintext and GET /json.
#
# Runs the commands chapter 11 shows, in one go: the release showcase under callgrind
# (2 workers, logging at warn), then for each path a 2 s wrk warm-up, counters zeroed, 5 s of
# wrk on one connection, counters dumped; prints the connection loop's inclusive count
# (serve_connection) divided by the requests wrk sent. Needs valgrind, wrk and curl.
# Usage: benches/instructions.sh [PORT]   (after `cargo build --release`)
set -eu
port=${1:-8089}
out=$(mktemp -d)/cg
RUST_LOG=warn valgrind --tool=callgrind --callgrind-out-file="$out.%p" \
    target/release/weft --addr "127.0.0.1:$port" --workers 2 2>"$out.log" &
server=$!
trap 'kill -INT $server 2>/dev/null || true' EXIT
for _ in $(seq 60); do
    curl -s -o /dev/null "http://127.0.0.1:$port/plaintext" && break
    sleep 1  # waiting for valgrind to start the server, not synchronising a test
done
for path in plaintext json; do
    wrk -t1 -c1 -d2s "http://127.0.0.1:$port/$path" >/dev/null
    callgrind_control -z "$server" >/dev/null
    requests=$(wrk -t1 -c1 -d5s "http://127.0.0.1:$port/$path" | awk '/requests in/ {print $1}')
    callgrind_control -d "$server" >/dev/null
    dump=$(ls -t "$out.$server".* | head -1)
    total=$(callgrind_annotate --inclusive=yes "$dump" | grep -m1 serve_connection \
        | awk '{gsub(",", "", $1); print $1}')
    echo "GET /$path: $requests requests, $((total / requests)) instructions per request ($dump)"
done
