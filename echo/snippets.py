"""Ready-to-copy clients for the echo service, one per language; `{url}` is filled in."""

BROWSER = """const socket = new WebSocket("{url}");

socket.addEventListener("open", () => socket.send("Hello, echo!"));
socket.addEventListener("message", (event) => {
  console.log("echo:", event.data);
  socket.close(1000, "done");
});
socket.addEventListener("close", (event) => console.log("closed", event.code, event.reason));
"""

NODE = """// npm install ws   (save as echo.mjs, run: node echo.mjs)
import WebSocket from "ws";

const socket = new WebSocket("{url}");

socket.on("open", () => socket.send("Hello, echo!"));
socket.on("message", (data, isBinary) => {
  console.log("echo:", isBinary ? data : data.toString());
  socket.close(1000, "done");
});
socket.on("close", (code, reason) => console.log("closed", code, reason.toString()));
"""

PYTHON = """# pip install websockets   (save as echo.py, run: python echo.py)
import asyncio

from websockets.asyncio.client import connect


async def main():
    async with connect("{url}") as websocket:
        await websocket.send("Hello, echo!")
        print("echo:", await websocket.recv())


asyncio.run(main())
"""

GO = """// go get github.com/coder/websocket   (then: go run .)
package main

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/coder/websocket"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	conn, _, err := websocket.Dial(ctx, "{url}", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer conn.CloseNow()

	if err := conn.Write(ctx, websocket.MessageText, []byte("Hello, echo!")); err != nil {
		log.Fatal(err)
	}
	_, data, err := conn.Read(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("echo:", string(data))
	conn.Close(websocket.StatusNormalClosure, "done")
}
"""

COMMAND_LINE = """# websocat (https://github.com/vi/websocat): type a line, read it back
websocat {url}

# or the client that comes with Python's websockets library
python -m websockets {url}
"""

SNIPPETS = (
    ("browser", "Browser", "javascript", BROWSER),
    ("node", "Node.js", "javascript", NODE),
    ("python", "Python", "python", PYTHON),
    ("go", "Go", "go", GO),
    ("cli", "Shell", "shell", COMMAND_LINE),
)


def snippets(url):
    """[(id, label, language, code)] with `url` in every snippet."""
    return [
        (key, label, language, code.replace("{url}", url))
        for key, label, language, code in SNIPPETS
    ]
