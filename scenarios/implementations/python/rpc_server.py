#!/usr/bin/python3
# RabbitMQ tutorial six, rpc_server.py (pika), configured from the environment as the
# harness runs every server: AMQP_URL, RPC_QUEUE, and optionally RPC_PREFETCH.
# Differences from the tutorial, each needed to run it under the harness:
#   - broker, queue and prefetch come from the environment (defaults: the tutorial's);
#   - fib is iterative: the tutorial's recursive fib cannot answer fib(90) in this lifetime;
#   - logs go to stderr, because stdout is reserved for protocol lines (PROTOCOL.md).
# Like the tutorial, it does not guard int(body): a request that is not an integer ends the
# process, and the broker redelivers that request to the next server.
import os
import sys

import pika

amqp_url = os.environ.get('AMQP_URL', 'amqp://guest:guest@localhost:5672/%2F')
rpc_queue = os.environ.get('RPC_QUEUE', 'rpc_queue')
prefetch = int(os.environ.get('RPC_PREFETCH', '1'))

connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
channel = connection.channel()
channel.queue_declare(queue=rpc_queue)


def fib(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


def on_request(ch, method, props, body):
    n = int(body)
    print(f" [.] fib({n})", file=sys.stderr, flush=True)
    response = fib(n)
    ch.basic_publish(exchange='',
                     routing_key=props.reply_to,
                     properties=pika.BasicProperties(correlation_id=props.correlation_id),
                     body=str(response))
    ch.basic_ack(delivery_tag=method.delivery_tag)


channel.basic_qos(prefetch_count=prefetch)
channel.basic_consume(queue=rpc_queue, on_message_callback=on_request)
print(f" [x] Awaiting RPC requests on {rpc_queue}", file=sys.stderr, flush=True)
channel.start_consuming()
