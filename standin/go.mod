module fabric/standin

go 1.22
