// The verdict: the race's result in plain words. Pure: summaries in, sentences out.

export const NAMES = {
  polling: "Polling",
  long_polling: "Long polling",
  sse: "Server-Sent Events",
  websocket: "WebSocket",
};

const ms = (value) => (value === null ? "no" : `${Math.round(value)} ms`);
const bytes = (value) => (value === null ? "no" : `${Math.round(value)} bytes`);

function every(seconds) {
  return seconds === 1 ? "every second" : `every ${+seconds.toFixed(1)} seconds`;
}

// `results` maps a lane key to its summary (stats.js); `race` has rate, total, interval.
export function verdict(race, results) {
  const { polling, long_polling: longPolling, sse, websocket } = results;
  const sentences = [];
  const allArrived = Object.values(results).every((lane) => lane.missed === 0);

  if (race.rate <= 1) {
    sentences.push(
      `For one update ${every(1 / race.rate)}, Server-Sent Events delivered the same ${sse.received} events as the WebSocket with one connection and no custom protocol (${ms(sse.median)} median latency against ${ms(websocket.median)}).`,
    );
  } else if (race.rate >= 10) {
    sentences.push(
      `At ${race.rate} events a second the streams pull ahead: Server-Sent Events and WebSocket each used one connection, while long polling needed ${longPolling.requests} requests and polling ${polling.requests}.`,
    );
  } else {
    sentences.push(
      `At ${race.rate} events a second, Server-Sent Events and WebSocket each carried the stream over one connection, with ${ms(sse.median)} and ${ms(websocket.median)} median latency.`,
    );
  }

  sentences.push(
    `Polling every ${race.interval} ms made ${polling.requests} requests, ${polling.emptyAnswers} of them answered with nothing, and each event waited for the next poll: ${ms(polling.median)} median latency.`,
  );
  sentences.push(
    `Long polling answered almost as soon as each event left (${ms(longPolling.median)} median) but paid a request and its headers for every answer: ${bytes(longPolling.bytesPerMessage)} a message, against ${bytes(sse.bytesPerMessage)} for Server-Sent Events.`,
  );

  const cheapest = Object.entries(results)
    .filter(([, lane]) => lane.bytesPerMessage !== null)
    .sort((a, b) => a[1].bytesPerMessage - b[1].bytesPerMessage)[0];
  if (cheapest) {
    sentences.push(`Fewest bytes a message: ${NAMES[cheapest[0]]}, ${bytes(cheapest[1].bytesPerMessage)}.`);
  }
  if (allArrived) {
    sentences.push(`No lane missed an event: all ${race.total} arrived everywhere.`);
  } else {
    const lost = Object.entries(results)
      .filter(([, lane]) => lane.missed > 0)
      .map(([key, lane]) => `${NAMES[key]} missed ${lane.missed}`);
    sentences.push(`${lost.join("; ")}.`);
  }
  return sentences;
}
