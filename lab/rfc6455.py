"""RFC 6455's numbers: opcodes, who sends what, length forms, close codes.

Plain Python, shared by the frame codec (`lab.frames`) and the rules it checks
(`lab.frame_rules`).
"""

CONTINUATION, TEXT, BINARY, CLOSE, PING, PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
OPCODES = {
    CONTINUATION: "continuation",
    TEXT: "text",
    BINARY: "binary",
    CLOSE: "close",
    PING: "ping",
    PONG: "pong",
}
CLIENT, SERVER = "client", "server"
MAX_CONTROL_PAYLOAD = 125
# RFC 6455 7.4.1: codes an endpoint MUST NOT put in a Close frame; they only report events.
NEVER_SENT_CLOSE_CODES = {1004: "reserved", 1005: "no status", 1006: "abnormal", 1015: "TLS"}
# Codes defined for use on the wire (RFC 6455 7.4.1 and the IANA registry since).
DEFINED_CLOSE_CODES = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014}


def is_control(opcode):
    """Close, ping, pong and the reserved control opcodes 0xB-0xF (RFC 6455 5.5)."""
    return opcode >= 0x8


def is_reserved(opcode):
    return opcode not in OPCODES


def opcode_name(opcode):
    if opcode in OPCODES:
        return OPCODES[opcode]
    return f"reserved {'control' if is_control(opcode) else 'data'} opcode"


LENGTH_FORMS = (7, 16, 64)


def shortest_length_form(length):
    if length <= 125:
        return 7
    if length <= 0xFFFF:
        return 16
    return 64
