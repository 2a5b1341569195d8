// params.cpp: implementation pending
