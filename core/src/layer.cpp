// layer.cpp: implementation pending
