#!/usr/bin/env python3
"""download_calls.py, the seed, rebuilt from its technical documentation
(../shared/seed/*.txt) for benchmarking only.

One order id per invocation: argparse -> logging -> CallDownloader with one aiohttp session
(timeouts 300 s total, 30 s connect, 60 s read) -> get_call_info (GET {base_url}/{order_id},
retried with exponential backoff, 3 tries) -> print "Call Information" -> stream the MP3 in
1 MB chunks with a progress line -> print "Download completed". Partial files are removed on
failure. Requires aiohttp>=3.7.4 and backoff>=1.10.0.

Deviation for benchmarking: the base URL can be set with --base-url or CALLARCHIVE_API_URL
(the seed hard-codes https://telephony.ordrai.com/calls as the constructor default), and
response envelopes ({"call": ...}, {"data": ...}, lists) are unwrapped so the simulator's
answers parse. Like the seed, only the first call of an order is downloaded.
"""
import argparse
import asyncio
import logging
import os
import sys
from dataclasses import dataclass
from typing import Optional, Tuple

import aiohttp
import backoff

CHUNK_SIZE = 1024 * 1024  # 1 MB
logger = logging.getLogger("download_calls")


@dataclass
class CallInfo:
    store_name: str = ""
    agent_name: str = ""
    call_status: str = ""
    call_in_time: str = ""
    call_out_time: str = ""
    recording_url: str = ""
    call_sid: str = ""


class NotFound(Exception):
    pass


def _first_call(payload):
    if isinstance(payload, list):
        return payload[0] if payload else {}
    if isinstance(payload, dict):
        for key in ("data", "call", "calls"):
            if key in payload:
                return _first_call(payload[key])
        return payload
    return {}


class CallDownloader:
    def __init__(self, base_url: str = "https://telephony.ordrai.com/calls"):
        self.base_url = base_url.rstrip("/")
        self.timeout = aiohttp.ClientTimeout(total=300, connect=30, sock_read=60)
        self.session: Optional[aiohttp.ClientSession] = None

    async def __aenter__(self):
        self.session = aiohttp.ClientSession(timeout=self.timeout)
        return self

    async def __aexit__(self, *exc):
        if self.session:
            await self.session.close()

    @backoff.on_exception(backoff.expo, (aiohttp.ClientError, asyncio.TimeoutError), max_tries=3)
    async def get_call_info(self, order_id: str) -> CallInfo:
        url = f"{self.base_url}/{order_id}"
        async with self.session.get(url, headers={"Accept": "application/json"}) as resp:
            if resp.status == 404:
                raise NotFound(f"Order not found: {order_id}")
            if resp.status == 429:
                retry_after = float(resp.headers.get("Retry-After", "1") or 1)
                await asyncio.sleep(retry_after)
                raise aiohttp.ClientResponseError(resp.request_info, resp.history, status=429)
            resp.raise_for_status()
            data = _first_call(await resp.json(content_type=None))
        return CallInfo(**{k: str(data.get(k, "") or "") for k in CallInfo.__dataclass_fields__})

    @backoff.on_exception(backoff.expo, (aiohttp.ClientError, asyncio.TimeoutError), max_tries=3)
    async def download_audio(self, order_id: str, output_dir: str,
                             info: Optional[CallInfo] = None) -> Tuple[str, int]:
        if info is None:
            info = await self.get_call_info(order_id)
        if not info.recording_url:
            raise ValueError(f"No recording URL for order {order_id}")
        os.makedirs(output_dir, exist_ok=True)
        path = os.path.join(output_dir, f"{order_id}.mp3")
        print("\nDownloading audio file...")
        try:
            async with self.session.get(info.recording_url) as resp:
                resp.raise_for_status()
                total = int(resp.headers.get("Content-Length", 0))
                done = 0
                with open(path, "wb") as f:
                    async for chunk in resp.content.iter_chunked(CHUNK_SIZE):
                        f.write(chunk)
                        done += len(chunk)
                        if total:
                            print(f"\rDownload progress: {done / total * 100:.1f}%", end="", flush=True)
                print()
        except BaseException:
            if os.path.exists(path):
                os.remove(path)
            raise
        return path, os.path.getsize(path)


async def main() -> int:
    parser = argparse.ArgumentParser(description="Download a call recording")
    parser.add_argument("order_id")
    parser.add_argument("--output-dir", default="downloads")
    parser.add_argument("--base-url", default=os.environ.get("CALLARCHIVE_API_URL",
                                                             "https://telephony.ordrai.com/calls"))
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    async with CallDownloader(args.base_url) as downloader:
        try:
            info = await downloader.get_call_info(args.order_id)
            print("Call Information:")
            print(f"Order ID: {args.order_id}")
            print(f"Store: {info.store_name}")
            print(f"Agent: {info.agent_name}")
            print(f"Status: {info.call_status}")
            print(f"Call In Time: {info.call_in_time}")
            print(f"Call Out Time: {info.call_out_time}")
            print(f"Recording URL Available: {'Yes' if info.recording_url else 'No'}")
            path, size = await downloader.download_audio(args.order_id, args.output_dir, info)
            print("\nDownload completed:")
            print(f"File: {path}")
            print(f"Size: {size / (1024 * 1024):.2f} MB")
            return 0
        except Exception as e:  # noqa: BLE001 - the seed logs and exits non-zero
            logger.error("Error: %s", e)
            return 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
