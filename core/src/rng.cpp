// rng.cpp: implementation pending
