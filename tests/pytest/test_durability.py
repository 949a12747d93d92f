"""A checkpoint is durable when it says so: a node that crashes right after
checkpoint returns leaves a whole image, and one that crashes during a
checkpoint leaves the image before it whole, or no image: never a mix.
Restarts are --eager, so that every page is checked before the tree runs;
cr_dirty then checks every page itself."""
import random
import time

from crlib import SH, output, restart, running, signal, start, wait_line


def up(make_cluster):
    c = make_cluster()
    c.up(2)
    c.wait_for("nodes 1 and 2 to join", lambda: c.online(1) == "1-2", 60)
    return c


def crash_and_wait(c, node, survivor):
    c.crash(node)
    c.wait_for(f"node {survivor} to see node {node} gone",
               lambda: c.online(survivor) == str(survivor), 30)


def test_a_crash_right_after_checkpoint_returns_leaves_the_image_whole(make_cluster):
    c = up(make_cluster)
    pid = start(c, 1, "durable", "cr_dirty", "32")
    img = f"{SH}/durable.img"
    # The crash comes as soon as checkpoint has said "saved".
    r = c.exec(1, ["checkpoint", "--kill", "-o", img, str(pid)], timeout=300)
    c.crash(1)
    assert r.status == 0 and "saved in" in r.stdout, r.stderr
    c.wait_for("node 2 to see node 1 gone", lambda: c.online(2) == "2", 30)
    r = restart(c, 2, img, "--eager")
    assert r.status == 0, r.stderr
    signal(c, 2, pid)
    wait_line(c, "durable", r"PASS|FAIL")
    assert "PASS" in output(c, "durable")


def test_a_crash_during_checkpoint_leaves_the_old_image_or_none(make_cluster):
    c = up(make_cluster)
    img = f"{SH}/mixed.img"
    rnd = random.Random(5)
    outcomes = []
    for round_ in range(3):
        pid = start(c, 1, f"mixed{round_}", "cr_dirty", "64")
        # A whole image first, then a second checkpoint cut by a crash.
        r = c.exec(1, ["checkpoint", "-o", img, str(pid)], timeout=300)
        assert r.status == 0, r.stderr
        c.check(1, ["sh", "-c", f"(checkpoint --kill -o {img} {pid} > /dev/null 2>&1 &)"])
        time.sleep(rnd.uniform(0.1, 1.5))
        crash_and_wait(c, 1, 2)
        r = restart(c, 2, img, "--eager")
        if r.status == 0:
            outcomes.append("restarted")
            signal(c, 2, pid)
            wait_line(c, f"mixed{round_}", r"PASS|FAIL")
            assert "PASS" in output(c, f"mixed{round_}"), round_
            # cr_dirty ends after its check.
            c.wait_for("the restarted process to end", lambda: not running(c, 2, pid), 30)
        else:
            # Cut while the new files were put in place: no image at all.
            assert "cannot open tree.krg of the image" in r.stderr, r.stderr
            assert "No such file or directory" in r.stderr
            outcomes.append("no image")
        c.start_node(1)
        c.wait_ready(1)
        c.wait_for("node 1 to join again", lambda: c.online(2) == "1-2", 60)
        c.check(1, ["rm", "-rf", img])
    print("crash during checkpoint:", outcomes)
