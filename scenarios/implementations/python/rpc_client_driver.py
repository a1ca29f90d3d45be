#!/usr/bin/python3
# The client line protocol (../PROTOCOL.md) around the tutorial's FibonacciRpcClient (pika).
#   AMQP_URL=amqp://... RPC_QUEUE=rpc_queue /usr/bin/python3 rpc_client_driver.py
# stdin:  {"id":17,"n":30,"timeout_ms":3000}      stdout: {"id":17,"result":"832040"}
# Logs go to stderr. On stdin EOF the outstanding calls are answered (or time out), then exit 0.
import functools
import json
import os
import sys
import threading
import time
import uuid

import pika


class FibonacciRpcClient(object):
    """The tutorial's client. Its call() waited for one reply at a time; here send() publishes
    and on_response files each reply under its correlation id, so that many calls can be in
    flight. As the tutorial says, a reply with an unknown correlation id is discarded."""

    def __init__(self, url, queue):
        self.connection = pika.BlockingConnection(pika.URLParameters(url))
        self.channel = self.connection.channel()
        result = self.channel.queue_declare(queue='', exclusive=True)
        self.callback_queue = result.method.queue
        self.channel.basic_consume(
            queue=self.callback_queue,
            on_message_callback=self.on_response,
            auto_ack=True)
        self.queue = queue
        self.responses = {}  # correlation id -> reply body, None while waiting

    def on_response(self, ch, method, props, body):
        if props.correlation_id in self.responses:
            self.responses[props.correlation_id] = body
        else:
            log(f"discarded a reply with unknown correlation id {props.correlation_id}")

    def send(self, n):
        corr_id = str(uuid.uuid4())
        self.responses[corr_id] = None
        self.channel.basic_publish(
            exchange='',
            routing_key=self.queue,
            properties=pika.BasicProperties(
                reply_to=self.callback_queue,
                correlation_id=corr_id,
            ),
            body=str(n))
        return corr_id

    def forget(self, corr_id):
        """The call is over (answered or timed out): any later reply to it is stale."""
        return self.responses.pop(corr_id)


def log(text):
    print(text, file=sys.stderr, flush=True)


def write_answer(call_id, **fields):
    sys.stdout.write(json.dumps({'id': call_id, **fields}, separators=(',', ':')) + '\n')
    sys.stdout.flush()


class ProtocolDriver(object):
    """Runs on the connection's thread only: pika's BlockingConnection is not thread-safe,
    so the stdin reader hands each line over with add_callback_threadsafe."""

    def __init__(self, client):
        self.client = client
        self.calls = {}  # correlation id -> (call id, deadline on time.monotonic())
        self.stdin_closed = False

    def on_line(self, line, read_at):
        try:
            call = json.loads(line)
            call_id, n, timeout_ms = call['id'], call['n'], call['timeout_ms']
            if not all(isinstance(v, int) and v >= 0 for v in (call_id, n, timeout_ms)):
                raise ValueError('id, n and timeout_ms must be non-negative integers')
        except (ValueError, KeyError, TypeError) as error:
            log(f"ignored a line that is not a call ({error}): {line.strip()[:200]}")
            return
        corr_id = self.client.send(n)
        self.calls[corr_id] = (call_id, read_at + timeout_ms / 1000)

    def on_stdin_closed(self):
        self.stdin_closed = True

    def done(self):
        return self.stdin_closed and not self.calls

    def seconds_to_next_deadline(self):
        if not self.calls:
            return 1.0
        return max(0.0, min(deadline for _, deadline in self.calls.values()) - time.monotonic())

    def answer_finished_calls(self):
        now = time.monotonic()
        for corr_id, (call_id, deadline) in list(self.calls.items()):
            body = self.client.responses.get(corr_id)
            if body is None and now < deadline:
                continue
            del self.calls[corr_id]
            self.client.forget(corr_id)
            if body is None:
                write_answer(call_id, error='timeout')
            elif body.strip().isdigit():
                write_answer(call_id, result=str(int(body)))
            else:
                write_answer(call_id, error=f"reply is not a decimal integer: {body[:100]!r}")

    def fail_all(self, reason):
        for call_id, _ in self.calls.values():
            write_answer(call_id, error=reason)
        self.calls.clear()


def read_stdin(connection, driver):
    for line in sys.stdin:
        connection.add_callback_threadsafe(functools.partial(driver.on_line, line, time.monotonic()))
    connection.add_callback_threadsafe(driver.on_stdin_closed)


def run_driver(client, driver_class=ProtocolDriver):
    """Serves the protocol until stdin is closed and every call is answered; returns the exit code."""
    driver = driver_class(client)
    # The callback queue is consumed (in the client's constructor) before stdin is read.
    threading.Thread(target=read_stdin, args=(client.connection, driver), daemon=True).start()
    try:
        while not driver.done():
            client.connection.process_data_events(time_limit=driver.seconds_to_next_deadline())
            driver.answer_finished_calls()
    except pika.exceptions.AMQPError as error:
        driver.fail_all(f"connection lost: {error!r}")
        log(f"connection to the broker lost ({error!r}); exiting")
        return 1
    client.connection.close()
    return 0


def main(client_class, driver_class=ProtocolDriver):
    amqp_url = os.environ.get('AMQP_URL', 'amqp://guest:guest@localhost:5672/%2F')
    rpc_queue = os.environ.get('RPC_QUEUE', 'rpc_queue')
    try:
        client = client_class(amqp_url, rpc_queue)
    except pika.exceptions.AMQPConnectionError as error:
        log(f"cannot connect to the broker in AMQP_URL: {error!r}")
        sys.exit(2)
    sys.exit(run_driver(client, driver_class))


if __name__ == '__main__':
    main(FibonacciRpcClient)
