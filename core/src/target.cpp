// target.cpp: implementation pending
