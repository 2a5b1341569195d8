// optimizer.cpp: implementation pending
