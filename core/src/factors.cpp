// factors.cpp: implementation pending
