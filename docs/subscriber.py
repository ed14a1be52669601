"""A plain ZeroMQ subscriber for kiemdiem events: python3 docs/subscriber.py [ENDPOINT] [TOPIC-PREFIX] [COUNT]"""
import json, sys, zmq

endpoint = sys.argv[1] if len(sys.argv) > 1 else "tcp://127.0.0.1:7401"
prefix = sys.argv[2] if len(sys.argv) > 2 else ""          # e.g. deadline.overdue/duk/so-tai-chinh/
count = int(sys.argv[3]) if len(sys.argv) > 3 else -1        # stop after COUNT events (-1: never)
sub = zmq.Context().socket(zmq.SUB)
sub.connect(endpoint)
sub.setsockopt_string(zmq.SUBSCRIBE, prefix)
while count != 0:
    topic, body = sub.recv_multipart()                       # two frames: topic, JSON body
    event = json.loads(body)
    print(json.dumps(event, ensure_ascii=False), flush=True)  # seq, id, type, time, unit, path, message, …
    count -= 1
