#!/usr/bin/python3
# The tutorial's server (rpc_server.py) as a server with real work to do: each request takes
# RPC_WORK_MS (default 1000) before its reply, as a call to a slow backend would, so the server
# holds requests while it works. It keeps the tutorial's order: publish the reply, then ack. A
# request it holds when its connection dies is still unacked, and the broker gives it to
# another server. It reconnects (every 0.5 s, for at most 120 s without a connection), so a
# node kill or a partition costs it the requests in hand, never the process.
#   AMQP_URL=amqp://... RPC_QUEUE=rpc_queue [RPC_QUEUE_TYPE=quorum] [RPC_PREFETCH=10] \
#     [RPC_WORK_MS=1000] /usr/bin/python3 slow_rpc_server.py
# Logs go to stderr.
import os
import signal
import sys
import time

import pika

RECONNECT_EVERY_S = 0.5
GIVE_UP_AFTER_S = 120


def log(text):
    print(text, file=sys.stderr, flush=True)


def fib(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


class SlowRpcServer(object):
    def __init__(self):
        self.url = os.environ.get('AMQP_URL', 'amqp://guest:guest@localhost:5672/%2F')
        self.queue = os.environ.get('RPC_QUEUE', 'rpc_queue')
        self.queue_type = os.environ.get('RPC_QUEUE_TYPE', 'classic')
        self.prefetch = int(os.environ.get('RPC_PREFETCH', '10'))
        self.work_seconds = int(os.environ.get('RPC_WORK_MS', '1000')) / 1000
        self.in_work = set()  # correlation ids of the requests being worked on

    def on_request(self, ch, method, props, body):
        self.in_work.add(str(props.correlation_id))
        self.connection.call_later(self.work_seconds, lambda: self.finish(ch, method, props, body))

    def finish(self, ch, method, props, body):
        """The work is done: reply, then ack, as the tutorial does."""
        self.reply(ch, props, body)
        ch.basic_ack(delivery_tag=method.delivery_tag)

    def reply(self, ch, props, body):
        self.in_work.discard(str(props.correlation_id))
        try:
            response = str(fib(int(body)))
        except ValueError:
            response = f'error: not an integer: {body!r}'
        ch.basic_publish(exchange='',
                         routing_key=props.reply_to,
                         properties=pika.BasicProperties(correlation_id=props.correlation_id),
                         body=response)

    def declare_request_queue(self, channel):
        # The run's queue type: a quorum queue is durable and says so, as whoever declared it first did.
        if self.queue_type == 'quorum':
            channel.queue_declare(queue=self.queue, durable=True, arguments={'x-queue-type': 'quorum'})
        else:
            channel.queue_declare(queue=self.queue)

    def serve(self):
        channel = self.connection.channel()
        try:
            self.declare_request_queue(channel)
        except pika.exceptions.ChannelClosedByBroker as error:
            # A queue of another type under that name: retrying would not change it.
            log(f' [x] cannot declare {self.queue} as a {self.queue_type} queue: {error!r}')
            sys.exit(2)
        channel.basic_qos(prefetch_count=self.prefetch)
        channel.basic_consume(queue=self.queue, on_message_callback=self.on_request)
        log(f' [x] Awaiting RPC requests on {self.queue} ({self.queue_type}), {self.work_seconds:.3f} s of work each')
        try:
            channel.start_consuming()
        finally:
            if self.in_work:
                log(f' [x] connection lost during the work of {len(self.in_work)} requests: {", ".join(sorted(self.in_work))}')
            self.in_work.clear()

    def run(self):
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        parameters = pika.URLParameters(self.url)
        last_connected = time.monotonic()
        while True:
            try:
                self.connection = pika.BlockingConnection(parameters)
            except pika.exceptions.AMQPError as error:
                if time.monotonic() - last_connected > GIVE_UP_AFTER_S:
                    log(f' [x] no connection for {GIVE_UP_AFTER_S} s, giving up: {error!r}')
                    return 1
                time.sleep(RECONNECT_EVERY_S)
                continue
            try:
                self.serve()
            except pika.exceptions.AMQPError as error:
                # The timers of work in progress died with the connection: those requests are
                # unacked, and the broker hands them to another server.
                log(f' [x] connection lost ({error!r}); reconnecting')
            last_connected = time.monotonic()


if __name__ == '__main__':
    sys.exit(SlowRpcServer().run())
