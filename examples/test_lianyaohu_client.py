#!/usr/bin/env python3
"""Exercises examples/lianyaohu_client.py against a running `lianyaohu serve` (LIANYAOHU_URL,
LIANYAOHU_API_TOKEN). Run by Tests/e2e/api_client.sh; prints "N passed, N failed"."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from lianyaohu_client import LianyaohuClient, LianyaohuError  # noqa: E402


class ClientTests(unittest.TestCase):
    def setUp(self):
        self.client = LianyaohuClient()

    def test_quote_carries_provenance(self):
        quote = self.client.quote("AAPL")
        self.assertEqual(quote["symbol"], "AAPL")
        self.assertGreater(quote["price"], 0)
        for key in ("source", "as_of", "age_seconds", "stale", "simulated"):
            self.assertIn(key, quote)
        self.assertTrue(quote["simulated"])

    def test_index_symbol_is_encoded(self):
        self.assertEqual(self.client.quote("^VIX")["symbol"], "^VIX")

    def test_batch_partial_results(self):
        quotes, errors = self.client.quotes(["AAPL", "BTC-USD", "not valid!"])
        self.assertEqual(set(quotes), {"AAPL", "BTC-USD"})
        self.assertEqual(errors["not valid!"]["class"], "invalid_symbol")

    def test_errors_raise_with_class(self):
        with self.assertRaises(LianyaohuError) as raised:
            self.client.quote("NO SUCH")
        self.assertEqual(raised.exception.status, 400)
        self.assertEqual(raised.exception.error_class, "invalid_symbol")

    def test_history_document_and_stream_agree(self):
        document = self.client.history("AAPL", range="3mo")
        self.assertEqual(document["interval"], "1d")
        self.assertTrue(document["simulated"])
        self.assertGreater(len(document["bars"]), 50)
        streamed = list(self.client.history_bars("AAPL", range="3mo"))
        header, bars = streamed[0], streamed[1:]
        self.assertEqual(header["symbol"], "AAPL")
        self.assertEqual(bars, document["bars"])

    def test_history_refusals_have_classes(self):
        with self.assertRaises(LianyaohuError) as raised:
            self.client.history("AAPL", interval="1m", start="1975-01-01", end="2024-12-31")
        self.assertEqual((raised.exception.status, raised.exception.error_class), (400, "window_too_long"))
        with self.assertRaises(LianyaohuError) as raised:
            self.client.history("AAPL", interval="2h")
        self.assertEqual(raised.exception.error_class, "invalid_interval")

    def test_profile(self):
        profile = self.client.profile("MSFT")
        self.assertEqual(profile["symbol"], "MSFT")
        self.assertIn("name", profile)
        self.assertTrue(profile["simulated"])

    def test_watchlist_edits(self):
        before = self.client.immortal("han-xiangzi")
        self.assertEqual(before["pinyin"], "Han Xiangzi")
        after = self.client.edit_watchlist("han-xiangzi", [("add", "DOGE-USD"), ("toggle", "COIN")])
        symbols = {entry["symbol"]: entry["active"] for entry in after["symbols"]}
        self.assertTrue(symbols["DOGE-USD"])
        self.assertFalse(symbols["COIN"])
        restored = self.client.edit_watchlist("han-xiangzi", [("remove", "DOGE-USD"), ("toggle", "COIN")])
        self.assertEqual([e["symbol"] for e in restored["symbols"]], [e["symbol"] for e in before["symbols"]])
        self.assertEqual(len(self.client.immortals()), 8)

    def test_operator_controls_need_the_token(self):
        anonymous = LianyaohuClient(token="")
        with self.assertRaises(LianyaohuError) as raised:
            anonymous.trip("sim-gamma")
        self.assertEqual(raised.exception.status, 401)
        self.assertEqual(self.client.trip("sim-gamma")["breaker"]["state"], "forced-open")
        states = {p["id"]: p["breaker"]["state"] for p in self.client.providers()}
        self.assertEqual(states["sim-gamma"], "forced-open")
        self.assertEqual(self.client.reset("sim-gamma")["breaker"]["state"], "closed")

    def test_cache(self):
        self.client.quote("MSFT")
        self.assertEqual(self.client.cache()["tiers"][0]["tier"], "memory")
        self.assertEqual(self.client.invalidate(symbol="MSFT")["removed"], 1)
        self.assertGreaterEqual(self.client.invalidate(prefix="v1:quote:ZZ")["removed"], 0)

    def test_stream(self):
        events = list(self.client.stream(max_events=3, timeout=30))
        self.assertEqual(events[0][0], "snapshot")
        self.assertEqual(len(events[0][1]["immortals"]), 8)
        self.assertEqual(len(events), 3)

    def test_health(self):
        self.assertTrue(self.client.healthy())
        self.assertTrue(self.client.ready())


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    failed = len(result.failures) + len(result.errors)
    print(f"{result.testsRun - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
