#!/usr/bin/python3
"""delayproxy.py LISTEN_ADDR TARGET_ADDR RTT_MS PORT...

A TCP proxy on loopback that adds a network's round-trip time: each chunk
is delivered RTT/2 after it arrived, in each direction, and a connection's
first bytes wait one RTT more (the SYN, SYN-ACK a real connection costs
before the client may send).  The kernel has no netem here, and the
simulator's own latency delays only HTTP replies, not TLS flights: this
delays every flight, so wall time / RTT counts round trips.

Prints "ready" once every port listens; stops on SIGTERM.
"""
import asyncio
import signal
import sys


async def pump(reader, writer, delay, first_extra):
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue()

    async def deliver():
        while True:
            due, data = await queue.get()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if data is None:
                break
            writer.write(data)
            await writer.drain()
        try:
            writer.write_eof()
        except OSError:
            pass

    task = asyncio.ensure_future(deliver())
    extra = first_extra
    try:
        while True:
            data = await reader.read(65536)
            queue.put_nowait((loop.time() + delay + extra, data or None))
            extra = 0
            if not data:
                break
    except OSError:
        queue.put_nowait((loop.time(), None))
    await task


async def serve(listen, target, port, rtt):
    async def on_client(cr, cw):
        try:
            sr, sw = await asyncio.open_connection(target, port)
        except OSError:
            cw.close()
            return
        await asyncio.gather(pump(cr, sw, rtt / 2, rtt),
                             pump(sr, cw, rtt / 2, 0),
                             return_exceptions=True)
        sw.close()
        cw.close()
    return await asyncio.start_server(on_client, listen, port)


async def main():
    listen, target, rtt = sys.argv[1], sys.argv[2], int(sys.argv[3]) / 1000
    servers = [await serve(listen, target, int(p), rtt) for p in sys.argv[4:]]
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print("ready", flush=True)
    await stop.wait()
    for s in servers:
        s.close()


asyncio.run(main())
