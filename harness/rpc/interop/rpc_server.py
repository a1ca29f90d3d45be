#!/usr/bin/env python3
# RabbitMQ tutorial six, rpc_server.py (pika), with the broker URL taken from argv[1]
# so that the interoperability test can point it at a private node.
import sys

import pika

connection = pika.BlockingConnection(pika.URLParameters(sys.argv[1]))
channel = connection.channel()
channel.queue_declare(queue='rpc_queue')


def fib(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


def on_request(ch, method, props, body):
    n = int(body)
    print(f" [.] fib({n})", flush=True)
    response = fib(n)
    ch.basic_publish(exchange='',
                     routing_key=props.reply_to,
                     properties=pika.BasicProperties(correlation_id=props.correlation_id),
                     body=str(response))
    ch.basic_ack(delivery_tag=method.delivery_tag)


channel.basic_qos(prefetch_count=1)
channel.basic_consume(queue='rpc_queue', on_message_callback=on_request)
print(" [x] Awaiting RPC requests", flush=True)
channel.start_consuming()
