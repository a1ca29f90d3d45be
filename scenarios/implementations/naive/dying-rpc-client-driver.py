#!/usr/bin/python3
# NEGATIVE CONTROL, wrong on purpose. The Python reference driver with one change: a reply
# whose correlation_id the client does not know (a duplicate after a redelivery, or a reply
# that came after its call timed out) makes the client throw and close its channel, as some
# RPC libraries do. From then on every call fails at once with "RPC channel is closed".
# duplicate-reply must fail against it on the check that clients keep working after a stale
# reply, and name the duplicate as the cause.
#   AMQP_URL=amqp://... RPC_QUEUE=rpc_queue /usr/bin/python3 dying-rpc-client-driver.py
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'python'))
from rpc_client_driver import FibonacciRpcClient, ProtocolDriver, log, main, write_answer  # noqa: E402


class DyingRpcClient(FibonacciRpcClient):
    def __init__(self, url, queue):
        super().__init__(url, queue)
        self.closed = None  # the error every call fails with, once the client has died

    def on_response(self, ch, method, props, body):
        if props.correlation_id in self.responses or self.closed:
            return super().on_response(ch, method, props, body)
        # The bug: an unknown correlation id is treated as fatal instead of being dropped.
        self.closed = f"RPC channel is closed: unexpected reply with correlation id {props.correlation_id}"
        log(self.closed)


class DyingDriver(ProtocolDriver):
    def on_line(self, line, read_at):
        if not self.client.closed:
            return super().on_line(line, read_at)
        try:
            write_answer(int(json.loads(line)['id']), error=self.client.closed)
        except (ValueError, KeyError, TypeError):
            log(f"ignored a line that is not a call: {line.strip()[:200]}")

    def answer_finished_calls(self):
        if self.client.closed:
            self.fail_all(self.client.closed)
        else:
            super().answer_finished_calls()


if __name__ == '__main__':
    main(DyingRpcClient, DyingDriver)
