// analysis.cpp: implementation pending
