#!/usr/bin/env python3
"""A slow HTTP/1.1 server for the open model's connection pacing: answers every request on a
keep-alive connection with a 2-byte 200 after DELAY_MS, on 127.0.0.1:PORT (stdlib asyncio, so
hundreds of connections wait at once). docs/benchmarks.md ("Open model with paced connection
opening") runs `vayu-cli load` at 5,000/s against it to compare corrected and service p99.

usage: slow_server.py PORT DELAY_MS
"""
import asyncio
import sys

REPLY = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok"


async def serve(reader, writer, delay):
    try:
        while True:
            await reader.readuntil(b"\r\n\r\n")  # GET requests: no body
            await asyncio.sleep(delay)
            writer.write(REPLY)
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main(port, delay):
    server = await asyncio.start_server(lambda r, w: serve(r, w, delay), "127.0.0.1", port, backlog=4096)
    async with server:
        await server.serve_forever()


asyncio.run(main(int(sys.argv[1]), float(sys.argv[2]) / 1000))
