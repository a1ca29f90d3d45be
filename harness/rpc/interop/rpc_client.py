#!/usr/bin/env python3
# RabbitMQ tutorial six, rpc_client.py (pika), with the broker URL from argv[1] and n from argv[2].
import sys
import uuid

import pika


class FibonacciRpcClient(object):

    def __init__(self, url):
        self.connection = pika.BlockingConnection(pika.URLParameters(url))
        self.channel = self.connection.channel()
        result = self.channel.queue_declare(queue='', exclusive=True)
        self.callback_queue = result.method.queue
        self.channel.basic_consume(queue=self.callback_queue, on_message_callback=self.on_response, auto_ack=True)
        self.response = None
        self.corr_id = None

    def on_response(self, ch, method, props, body):
        if self.corr_id == props.correlation_id:
            self.response = body

    def call(self, n):
        self.response = None
        self.corr_id = str(uuid.uuid4())
        self.channel.basic_publish(
            exchange='',
            routing_key='rpc_queue',
            properties=pika.BasicProperties(reply_to=self.callback_queue, correlation_id=self.corr_id),
            body=str(n))
        self.connection.process_data_events(time_limit=10)
        return int(self.response)


fibonacci_rpc = FibonacciRpcClient(sys.argv[1])
n = int(sys.argv[2])
print(f" [x] Requesting fib({n})", flush=True)
print(f" [.] Got {fibonacci_rpc.call(n)}", flush=True)
