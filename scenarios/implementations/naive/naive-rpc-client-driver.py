#!/usr/bin/python3
# NEGATIVE CONTROL, wrong on purpose. The Python reference driver with one change: replies
# are not matched by correlation_id. The next reply on the callback queue answers the oldest
# waiting call, or the next call sent when none is waiting. With a healthy server every
# answer is right; a duplicate or late reply shifts every later answer onto the wrong call,
# and duplicate-reply and late-reply must fail against it, naming those calls.
#   AMQP_URL=amqp://... RPC_QUEUE=rpc_queue /usr/bin/python3 naive-rpc-client-driver.py
import collections
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'python'))
from rpc_client_driver import FibonacciRpcClient, main  # noqa: E402


class NaiveRpcClient(FibonacciRpcClient):
    def __init__(self, url, queue):
        super().__init__(url, queue)
        self.unclaimed = collections.deque()  # replies that arrived while no call was waiting

    def on_response(self, ch, method, props, body):
        # The bug: props.correlation_id is never looked at.
        waiting = next((corr_id for corr_id, response in self.responses.items() if response is None), None)
        if waiting is None:
            self.unclaimed.append(body)
        else:
            self.responses[waiting] = body

    def send(self, n):
        corr_id = super().send(n)
        if self.unclaimed:
            self.responses[corr_id] = self.unclaimed.popleft()
        return corr_id


if __name__ == '__main__':
    main(NaiveRpcClient)
