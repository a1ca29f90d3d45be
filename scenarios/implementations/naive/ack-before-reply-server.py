#!/usr/bin/python3
# NEGATIVE CONTROL, wrong on purpose. The slow reference server (../python/slow_rpc_server.py)
# with one change: it acks each request as soon as it arrives and only then does the work and
# replies, as a server would that "takes the job off the queue" before calling a slow backend.
# Once a request is acked the broker forgets it; if the server's connection dies during the
# work (its node is killed, the process is killed), the reply is never published and nobody
# will ever answer that request. Against it, quorum-leader-kill must fail "No request the
# broker confirmed was lost", naming the calls; the reference server passes the same check.
#   AMQP_URL=amqp://... RPC_QUEUE=rpc_queue [RPC_QUEUE_TYPE=quorum] [RPC_PREFETCH=10] \
#     [RPC_WORK_MS=1000] /usr/bin/python3 ack-before-reply-server.py
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'python'))
from slow_rpc_server import SlowRpcServer  # noqa: E402


class AckBeforeReplyServer(SlowRpcServer):
    def on_request(self, ch, method, props, body):
        # The bug: the request is acked before the work is done and the reply is out.
        ch.basic_ack(delivery_tag=method.delivery_tag)
        super().on_request(ch, method, props, body)

    def finish(self, ch, method, props, body):
        self.reply(ch, props, body)


if __name__ == '__main__':
    sys.exit(AckBeforeReplyServer().run())
