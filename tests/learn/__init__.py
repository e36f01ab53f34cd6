"""Tests of learning (`scorer.learn`): training, corruption, evaluation and the peer chain."""
