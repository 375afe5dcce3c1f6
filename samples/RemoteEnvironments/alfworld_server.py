#!/usr/bin/env python3
"""Serve ALFWorld (TextWorld) to GiGPO.NET through the remote-environment protocol (docs/remote-environments.md).

Needs `pip install alfworld` and ALFWORLD_DATA prepared as ALFWorld's README says (`alfworld-download`); uses only the
standard library otherwise. Run:  python3 alfworld_server.py --port 5005 [--api-key KEY] [--config base_config.yaml]
Then in .NET:  builder.AddRemoteEnvironment("alfworld", o => o.BaseAddress = "http://127.0.0.1:5005");

Task choice: reset's task_seed indexes the game files of the requested split (train / validation = eval_in_distribution /
test = eval_out_of_distribution), so the N members of a group reset with the same seed get the same game and initial state.
"""
import argparse
import json
import os
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import yaml
from alfworld.agents.environment import get_environment

TASK_TYPES = ["pick_and_place", "look_at_obj_in_light", "pick_clean_then_place_in_recep",
              "pick_heat_then_place_in_recep", "pick_cool_then_place_in_recep", "pick_two_obj_and_place"]
SPLITS = {"train": "train", "validation": "eval_in_distribution", "test": "eval_out_of_distribution"}


class Instance:
    def __init__(self):
        self.env = None
        self.next_step = -1
        self.last = None
        self.lock = threading.Lock()


def task_type_of(gamefile):
    return next((t for t in TASK_TYPES if t in gamefile), "unknown")


class Server:
    def __init__(self, config):
        self.config = config
        self.instances = {}
        self.gamefiles = {}

    def make_env(self, split, seed):
        env_type = self.config["env"]["type"]
        env = get_environment(env_type)(self.config, train_eval=SPLITS[split])
        files = env.game_files
        env.game_files = [files[seed % len(files)]]
        env = env.init_env(batch_size=1)
        return env

    def reset(self, item):
        inst = self.instances.get(item["id"])
        if inst is None:
            return {"id": item["id"], "error": "unknown instance id"}
        if item["split"] not in SPLITS:
            return {"id": item["id"], "error": f"unknown split '{item['split']}'; use train, validation or test"}
        with inst.lock:
            inst.env = self.make_env(item["split"], int(item["task_seed"]))
            obs, infos = inst.env.reset()
            inst.gamefile = infos["extra.gamefile"][0]
            inst.next_step, inst.last = 0, None
            return {"id": item["id"], "observation": self.observation(obs[0], infos, inst)}

    def observation(self, text, infos, inst):
        task = text.split("Your task is to: ")[-1].strip() if "Your task is to: " in text else getattr(inst, "task", "")
        inst.task = task
        actions = [a for a in infos["admissible_commands"][0] if a != "help"]
        return {"text": text, "task": task, "task_type": task_type_of(inst.gamefile), "admissible_actions": actions}

    def step(self, item):
        inst = self.instances.get(item["id"])
        if inst is None:
            return {"id": item["id"], "error": "unknown instance id"}
        with inst.lock:
            if inst.next_step < 0:
                return {"id": item["id"], "error": "reset the instance before stepping it"}
            if item["step"] == inst.next_step - 1 and inst.last is not None:
                return inst.last
            if item["step"] != inst.next_step:
                return {"id": item["id"], "error": f"step {item['step']} is out of sequence; the next step is {inst.next_step}"}
            obs, scores, dones, infos = inst.env.step([item["action"]])
            won = bool(infos["won"][0])
            result = {"id": item["id"], "observation": self.observation(obs[0], infos, inst),
                      "reward": 10.0 if won else 0.0, "done": bool(dones[0]), "won": won}
            inst.last, inst.next_step = result, inst.next_step + 1
            return result


def make_handler(server, api_key, max_bytes):
    class Handler(BaseHTTPRequestHandler):
        def reply(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def authorized(self):
            if api_key and self.headers.get("X-Api-Key") != api_key:
                self.reply(401, {"error": "missing or wrong X-Api-Key header"})
                return False
            return True

        def do_GET(self):
            if not self.authorized():
                return
            if self.path == "/v1/info":
                self.reply(200, {"protocol_version": 1, "environments": [{
                    "name": "alfworld", "default_max_steps": 50, "task_types": TASK_TYPES,
                    "agent_role": "You are an expert agent operating in the ALFRED Embodied Environment.",
                    "lists_admissible_actions": True}]})
            else:
                self.reply(404, {"error": f"no such path {self.path}"})

        def do_POST(self):
            if not self.authorized():
                return
            length = int(self.headers.get("Content-Length", "0"))
            if length > max_bytes:
                self.reply(413, {"error": f"the body is larger than {max_bytes} bytes"})
                return
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
            except json.JSONDecodeError as e:
                self.reply(400, {"error": f"the body is not valid JSON: {e}"})
                return
            if self.path == "/v1/create":
                if body.get("environment") != "alfworld":
                    self.reply(404, {"error": f"unknown environment '{body.get('environment')}'; served: alfworld"})
                    return
                ids = [uuid.uuid4().hex for _ in range(int(body.get("count", 1)))]
                for i in ids:
                    server.instances[i] = Instance()
                self.reply(200, {"ids": ids})
            elif self.path == "/v1/reset":
                self.reply(200, {"results": [server.reset(i) for i in body["items"]]})
            elif self.path == "/v1/step":
                self.reply(200, {"results": [server.step(i) for i in body["items"]]})
            elif self.path == "/v1/close":
                closed = sum(1 for i in body.get("ids", []) if server.instances.pop(i, None) is not None)
                self.reply(200, {"closed": closed})
            else:
                self.reply(404, {"error": f"no such path {self.path}"})

    return Handler


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5005)
    parser.add_argument("--api-key", default=os.environ.get("GIGPO_API_KEY"))
    parser.add_argument("--max-request-bytes", type=int, default=1 << 20)
    parser.add_argument("--config", default=os.path.join(os.environ.get("ALFWORLD_DATA", "."), "base_config.yaml"))
    args = parser.parse_args()
    with open(args.config) as f:
        config = yaml.safe_load(f)
    httpd = ThreadingHTTPServer((args.host, args.port), make_handler(Server(config), args.api_key, args.max_request_bytes))
    print(f"Serving alfworld on http://{args.host}:{args.port}")
    httpd.serve_forever()
