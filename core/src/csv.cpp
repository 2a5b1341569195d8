// csv.cpp: implementation pending
