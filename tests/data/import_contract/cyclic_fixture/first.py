def one():
    from . import second  # imported in a function: still a cycle

    return second.two
