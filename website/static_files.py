"""WhiteNoise under ASGI, streaming files from the event loop.

WhiteNoise 6.12 hands Django a file response with a synchronous iterator. Under ASGI
Django warns about every such response ("StreamingHttpResponse must consume synchronous
iterators") and reads the whole file into a list in a worker thread before sending it.
Under ASGI the same response streams here from an asynchronous iterator: each block is
read in a worker thread and sent as it comes. Under WSGI WhiteNoise serves as it does.
"""

import asyncio

from django.core.handlers.asgi import ASGIRequest
from whitenoise.middleware import WhiteNoiseFileResponse
from whitenoise.middleware import WhiteNoiseMiddleware as SyncWhiteNoiseMiddleware

BLOCK_SIZE = 64 * 1024


class AsyncFileBlocks:
    """A file's contents as an async iterator of blocks; Django closes it after sending."""

    def __init__(self, file):
        self.file = file

    def __aiter__(self):
        return self

    async def __anext__(self):
        block = await asyncio.to_thread(self.file.read, BLOCK_SIZE) if self.file else b""
        if not block:
            raise StopAsyncIteration
        return block

    def close(self):
        if self.file:
            self.file.close()


class WhiteNoiseMiddleware(SyncWhiteNoiseMiddleware):
    @staticmethod
    def serve(static_file, request):
        if not isinstance(request, ASGIRequest):  # WSGI (website/wsgi.py, the test client)
            return SyncWhiteNoiseMiddleware.serve(static_file, request)
        response = static_file.get_response(request.method, request.META)
        http_response = WhiteNoiseFileResponse(
            AsyncFileBlocks(response.file), status=int(response.status)
        )
        del http_response["content-type"]  # WhiteNoise's own headers follow.
        for key, value in response.headers:
            http_response[key] = value
        return http_response
