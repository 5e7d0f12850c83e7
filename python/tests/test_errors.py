"""ScenarioError carries exactly the problems `stratus validate` prints."""

import pytest

import stratus

BAD = """\
name: broken
duration: 1h
workloads:
  - name: shoppers
    to: { load_balancer: webb }
    rate: 5
load_balancers:
  - { name: web, target_group: web }
auto_scaling_groups:
  - name: web
    min: 5
    max: 3
    desired: 4
    instance: { workers: 8 }
variants:
  - name: big
    set: { "auto_scaling_groups[web].maxx": 10 }
"""


def validate_lines(cli, *args):
    p = cli("validate", *args, check=False)
    assert p.returncode == 2, p
    assert p.stdout == ""
    return p.stderr.splitlines()


def test_problems_equal_validate(cli, tmp_path):
    f = tmp_path / "broken.yaml"
    f.write_text(BAD)
    want = validate_lines(cli, f)
    assert len(want) >= 2
    with pytest.raises(stratus.ScenarioError) as e:
        stratus.load(str(f))
    err = e.value
    assert [str(p) for p in err.problems] == want
    assert str(err) == "\n".join(want)
    for p in err.problems:
        assert p.file == str(f)
        assert p.line >= 1 and p.col >= 1
        assert isinstance(p.path, str) and p.message
    assert isinstance(err, ValueError)


def test_problem_fields(cli, tmp_path):
    f = tmp_path / "one.yaml"
    f.write_text("name: x\nduration: 1h\nworkloads: []\nbogus: 3\n")
    (line,) = validate_lines(cli, f)
    with pytest.raises(stratus.ScenarioError) as e:
        stratus.load(f)
    (p,) = e.value.problems
    assert (p.file, p.line, p.col) == (str(f), 4, 1)
    assert line == f"{f}:4:1: {p.path}: {p.message}" if p.path else f"{f}:4:1: {p.message}"


def test_set_and_variant_problems_equal_validate(root, cli):
    file = "scenarios/policies-on-a-spike.yaml"
    sc = stratus.load(file)
    want = validate_lines(cli, file, "--set", "auto_scaling_groups[web].max=lots")
    with pytest.raises(stratus.ScenarioError) as e:
        sc.set("auto_scaling_groups[web].max", "lots")
    assert [str(p) for p in e.value.problems] == want
    assert e.value.problems[0].file == "--set"
    # A problem in the third set is positioned as the third --set.
    want = validate_lines(
        cli, file, "--set", "duration=1h", "--set", "duration=1h", "--set", "workloads[shopers].rate=5"
    )
    with pytest.raises(stratus.ScenarioError) as e:
        sc.set("duration", "1h").set("duration", "1h").set("workloads[shopers].rate", 5)
    assert [str(p) for p in e.value.problems] == want
    assert e.value.problems[0].line == 3
    with pytest.raises(stratus.ScenarioError) as e:
        sc.variant("stepp")
    assert e.value.problems[0].file == "--variant"
    assert "did you mean \"step\"" in e.value.problems[0].message


def test_text_and_dict_problems(cli, tmp_path):
    with pytest.raises(stratus.ScenarioError) as e:
        stratus.load(BAD)
    f = tmp_path / "same.yaml"
    f.write_text(BAD)
    want = validate_lines(cli, f)
    assert [str(p).replace("<string>", str(f)) for p in e.value.problems] == want
    with pytest.raises(stratus.ScenarioError) as e:
        stratus.load({"name": "x", "duration": "1h", "bogus": 1})
    assert e.value.problems[0].file == "<dict>"
    assert "bogus" in str(e.value)


def test_missing_file_is_the_cli_message(cli):
    want = validate_lines(cli, "scenarios/nope.yaml")
    with pytest.raises(stratus.ScenarioError) as e:
        stratus.load("scenarios/nope.yaml")
    assert [str(p) for p in e.value.problems] == want
