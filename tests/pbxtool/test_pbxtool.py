"""pbx/run's configuration generation and checks (no Asterisk needed)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from agentdesk.pbxtool import (
    asteriskuser,
    callbacks_ini,
    cli,
    confgen,
    directory,
    engine,
    numbering,
    prompts,
    queues,
    rootfs,
    runner,
    service,
)
from agentdesk.pbxtool.layout import (
    CONFIG_DIR,
    DIRECTORY_FILE,
    Layout,
    Network,
    PbxError,
    make_network,
)
from agentdesk.server.directory import Person


def test_the_directory_has_the_agents_team_leads_and_customer_phones() -> None:
    users = directory.read_people(DIRECTORY_FILE)
    extensions = {u.extension for u in users if not u.is_customer}
    assert {str(n) for n in range(1001, 1021)} | {"1901", "1902", "1903"} == extensions
    assert {u.role for u in users if u.extension.startswith("19")} == {"teamlead"}
    customers = {u.extension: u.name for u in users if u.is_customer}
    assert customers == {f"0912111000{n}": f"Customer {n}" for n in range(1, 8)}


def test_a_bad_directory_line_is_reported(tmp_path: Path) -> None:
    bad = tmp_path / "directory.csv"
    bad.write_text("1001,Name,boss,\n")
    with pytest.raises(PbxError, match="role of 1001"):
        directory.read_people(bad)


def test_loopback_binds_sip_and_media_to_loopback() -> None:
    text = confgen.transports_conf(Network(), "/state")
    assert text.count("bind = 127.0.0.1:5060") == 2 and "bind = 127.0.0.1:5061" in text
    assert "media_address = 127.0.0.1" in text and "bind_rtp_to_media_address = yes" in text
    assert "cert_file = /state/tls/server.pem" in text and "priv_key_file = /state/tls/server.key" in text
    public = confgen.transports_conf(Network(bind="0.0.0.0"), "/state")
    assert "media_address" not in public


def test_a_public_bind_offers_only_tls_to_the_network_unless_told_the_lan_is_trusted() -> None:
    public = confgen.transports_conf(Network(bind="192.0.2.10"), "/state")
    assert public.count("bind = 127.0.0.1:5060") == 2  # plain SIP stays on this machine
    assert "protocol = tls\nbind = 192.0.2.10:5061" in public
    lan = confgen.transports_conf(Network(bind="192.0.2.10", plain_sip_public=True), "/state")
    assert lan.count("bind = 192.0.2.10:5060") == 2


def test_people_marked_tls_and_a_secure_site_get_encrypted_audio_only() -> None:
    users = directory.read_people(DIRECTORY_FILE)
    secrets = directory.demo_secrets(users)

    def section(text: str, extension: str) -> str:
        return text.split(f"\n[{extension}](", 1)[1].split("\n\n", 1)[0]

    text = confgen.users_conf(users, secrets)
    assert "media_encryption = sdes\nmedia_encryption_optimistic = no" in section(text, "1020")
    assert "media_encryption" not in section(text, "1001")
    everyone = confgen.users_conf(users, secrets, secure_everyone=True)
    assert "media_encryption = sdes" in section(everyone, "1001")
    assert "media_encryption = sdes" in section(everyone, "1901")
    assert "media_encryption" not in section(everyone, "09121110001")  # demo customers stay plain


def test_demo_secrets_are_marked_and_random_ones_are_strong() -> None:
    users = directory.read_people(DIRECTORY_FILE)
    demo = confgen.users_conf(users, directory.demo_secrets(users))
    assert "DEMO SECRETS" in demo and "password = demo-1001" in demo
    real = directory.random_secrets(users)
    assert len(set(real.sip.values())) == len(users) and all(len(p) >= 20 for p in real.sip.values())
    assert "DEMO" not in confgen.users_conf(users, real)


def test_demo_secrets_stay_on_loopback_and_real_ones_go_anywhere() -> None:
    users = directory.read_people(DIRECTORY_FILE)
    demo, real = directory.demo_secrets(users), directory.random_secrets(users)
    runner.check_exposure(Network(bind="127.0.0.1"), demo)
    for bind in ("0.0.0.0", "192.0.2.10"):
        refused = f"(?s)refusing to listen on {bind}: the demo secrets.*pbx/run secrets --generate"
        with pytest.raises(PbxError, match=refused):
            runner.check_exposure(Network(bind=bind), demo)
        runner.check_exposure(Network(bind=bind), real)


def test_network_settings_are_checked() -> None:
    with pytest.raises(PbxError, match="IP address"):
        make_network("localhost", None, None)
    with pytest.raises(PbxError, match="RTP port range"):
        make_network(None, None, "20000-10000")


def test_without_root_and_without_mmdebstrap_it_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rootfs, "check_mirror", lambda mirror: None)
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    monkeypatch.setattr("shutil.which", lambda name: None)
    layout = Layout(tmp_path, Network())
    with pytest.raises(PbxError, match="mmdebstrap"):
        rootfs.provision(layout)


def test_without_debootstrap_as_root_it_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rootfs, "check_mirror", lambda mirror: None)
    monkeypatch.setattr("os.geteuid", lambda: 0)
    monkeypatch.setattr("shutil.which", lambda name: None)
    with pytest.raises(PbxError, match="apt-get install debootstrap"):
        rootfs.provision(Layout(tmp_path, Network()))


def test_the_rootfs_engine_mounts_privately_and_drops_root(tmp_path: Path) -> None:
    rootfs_engine = engine.Engine("rootfs", engine.ROOTFS_ASTERISK, "/var/lib/agentdesk-pbx", "/etc/x")
    command = rootfs_engine.command(Layout(tmp_path, Network()), "-rx", "core show uptime")
    assert command[:4] == ["unshare", "--mount", "--propagation", "private"]
    assert command[-3:] == ["-C", "/var/lib/agentdesk-pbx/etc/asterisk.conf", "-rx", "core show uptime"][-3:]



def test_customer_phones_call_the_queues_only_and_have_no_mailbox() -> None:
    users = directory.read_people(DIRECTORY_FILE)
    secrets = directory.demo_secrets(users)
    text = confgen.users_conf(users, secrets)
    template = text.split("[customer-endpoint](!,media-binding)\n", 1)[1].split("\n\n", 1)[0]
    for line in ("context = customers", "dtmf_mode = rfc4733", "allow_transfer = no"):
        assert line in template.splitlines()
    customer = text.split("[09121110001](customer-endpoint)\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert customer == ['callerid = "Customer 1" <09121110001>', "auth = 09121110001", "aors = 09121110001"]
    assert "mailboxes = 1001@default" in text
    shipped = queues.read_queues()
    with_queues = directory.add_mailbox_pins(secrets, (q.extension for q in shipped))
    mailboxes = confgen.voicemail_users_conf(users, with_queues, shipped)
    assert "1001 => 1001,Sara Karimi" in mailboxes and "09121110001" not in mailboxes


def queues_ini(tmp_path: Path, knobs: str = "") -> Path:
    path = tmp_path / "queues.ini"
    path.write_text(
        "[DEFAULT]\nstrategy = ringall\noverflow = voicemail\nwhen_no_agents = wait\n"
        + "".join(f"{knob} = 5\n" for knob in queues.SECONDS_KNOBS)
        + f"[billing]\nextension = 7005\n{knobs}",
        encoding="utf-8",
    )
    return path


def test_callback_knobs_have_defaults_and_reach_asterisk_and_the_desk_service(tmp_path: Path) -> None:
    (plain,) = queues.read_queues(queues_ini(tmp_path))
    assert plain.callbacks == queues.QueueCallbacks()  # a queues.ini from before callbacks still reads
    (billing,) = queues.read_queues(queues_ini(tmp_path, (
        "callback = yes\ncallback_offer_position = 4\ncallback_retry_minutes = 5, 15,60\n"
        "callback_caller_id = +982191000000\nlanguage = fa\ncallback_autodial_seconds = 7\n"
    )))
    assert "\ncontext = queue-keys\n" in queues.queues_conf([billing])
    assert "QUEUE_LANGUAGE_billing = fa" in queues.dialplan_globals([billing]).splitlines()
    assert queues.callback_policy(billing) == {
        "enabled": True, "offer_position": 4, "offer_wait_seconds": 120, "offer_every_seconds": 60,
        "caller_id": "+982191000000", "max_attempts": 3, "retry_minutes": [5, 15, 60], "give_up_hours": 48,
        "missed_min_wait_seconds": 20, "autodial_seconds": 7, "skip_delay_seconds": 120, "language": "fa",
    }
    (off,) = queues.read_queues(queues_ini(tmp_path, "callback = no\n"))
    assert "queue-keys" not in queues.queues_conf([off]) and queues.callback_policy(off)["enabled"] is False


@pytest.mark.parametrize(
    ("knobs", "complaint"),
    [
        ("callback = maybe\n", "callback must be yes or no"),
        ("language = de\n", "language must be one of en, fa, ru"),
        ("callback_caller_id = 0219-100\n", "callback_caller_id must be 3-20 digits"),
        ("callback_retry_minutes = 10, soon\n", "callback_retry_minutes must be whole minutes"),
        ("callback_max_attempts = 0\n", "callback_max_attempts must be at least 1"),
        ("callback_offer_wait_seconds = -5\n", "callback_offer_wait_seconds must be a whole number"),
        ("callback_offer_positon = 3\n", "unknown setting 'callback_offer_positon'"),
    ],
)
def test_a_wrong_callback_knob_is_named(tmp_path: Path, knobs: str, complaint: str) -> None:
    with pytest.raises(PbxError, match=re.escape(complaint)):
        queues.read_queues(queues_ini(tmp_path, knobs))


def test_the_desk_service_gets_the_callback_settings_of_the_design() -> None:
    settings = callbacks_ini.callback_settings(queues.read_queues())
    assert list(settings) == [
        "region", "per_number_limit", "per_number_hours", "per_client_limit", "per_client_minutes", "hours",
        "days_ahead", "same_agent_wait_minutes", "web_queues", "web_origins", "queues",
    ]
    assert (settings["region"], settings["hours"]) == ("IR", "08:00-20:00")
    assert settings["web_queues"] == ["support", "sales"] and settings["web_origins"] == []
    support = settings["queues"]["support"]  # type: ignore[index]
    assert support["enabled"] is True and support["caller_id"] == "02191000000" and support["language"] == "en"
    json.dumps(settings)  # it goes into desk-service.json as it is


@pytest.mark.parametrize(
    ("line", "complaint"),
    [
        ("region = Iran", "'Iran' is not a known phone number region"),
        ("hours = 20:00-08:00", "'20:00-08:00' is not a time range within one day"),
        ("hours = 8-20", "'8-20' does not look like \"08:00-20:00\""),
        ("per_number_limit = many", "per_number_limit must be a number, not 'many'"),
        ("web_queues = billing", "'billing' is not a queue with callbacks enabled"),
        ("web_origins = www.example.com", "'www.example.com' is not an origin like https://"),
        ("web_origin = https://www.example.com", "unknown setting 'web_origin'"),
    ],
)
def test_a_wrong_callbacks_ini_knob_is_named(tmp_path: Path, line: str, complaint: str) -> None:
    knob = line.split(" = ")[0]
    shipped = callbacks_ini.CALLBACKS_FILE.read_text(encoding="utf-8")
    text = re.sub(rf"^{knob} =.*$", line, shipped, flags=re.M) if f"\n{knob} =" in shipped else shipped + line + "\n"
    path = tmp_path / "callbacks.ini"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PbxError, match=re.escape(complaint)):
        callbacks_ini.callback_settings(queues.read_queues(), path)


def test_every_prompt_the_dialplan_plays_is_made_in_every_language() -> None:
    made = prompts.read_prompts()
    names = set(prompts.expected_names())
    for language in queues.LANGUAGES:
        assert {p.name for p in made if p.language == language} == names, language
    dialplan = (CONFIG_DIR / "extensions_callback.conf").read_text(encoding="utf-8")
    played = set(re.findall(r"\$\{CALLBACK_P\}/([a-z][a-z0-9-]*)", dialplan))
    played |= set(re.findall(r"LOCAL\(why\)=([a-z-]+)", dialplan)) | {"refused", "limited", "back-in-line"}
    families = {name for name in played if name.endswith("-")}  # e.g. minutes-${CALLBACK_MINUTES}
    assert families == {"minutes-", "number-", "weekday-"}
    assert played - families <= names, played - families - names
    waits = {int(n) for n in re.findall(r"CALLBACK_MINUTES=(\d+)\)", dialplan)}
    assert waits <= set(prompts.WAIT_MINUTES)
    offer = next(p for p in made if p.key == "en/offer-1")
    assert offer.text == "Your expected wait is about" and offer.voice == "en-us"


def test_prompts_are_made_again_only_when_their_text_changes(tmp_path: Path) -> None:
    spoken: list[str] = []

    def speak(prompt: prompts.Prompt, target: Path) -> None:
        spoken.append(prompt.key)
        target.write_bytes(prompt.text.encode())

    first = [prompts.Prompt("en", "hello", "Hello", "en-us", 150), prompts.Prompt("en", "pause", "", "en-us", 150)]
    assert prompts.ensure_prompts(tmp_path, first, speak) == 2
    assert spoken == ["en/hello"]  # an empty text is a pause, not spoken
    assert (tmp_path / "en" / "pause.sln16").stat().st_size == int(prompts.PAUSE_SECONDS * prompts.RATE) * 2
    assert prompts.ensure_prompts(tmp_path, first, speak) == 0
    changed = [prompts.Prompt("en", "hello", "Hello there", "en-us", 150), first[1]]
    assert prompts.ensure_prompts(tmp_path, changed, speak) == 1
    assert (tmp_path / "en" / "hello.sln16").read_bytes() == b"Hello there"
    (tmp_path / "en" / "pause.sln16").unlink()
    assert prompts.ensure_prompts(tmp_path, changed, speak) == 1


def test_a_prompt_text_needs_its_placeholder(tmp_path: Path) -> None:
    path = tmp_path / "prompts.ini"
    shipped = prompts.PROMPTS_FILE.read_text(encoding="utf-8")
    path.write_text(shipped.replace("about {minutes}. Goodbye.", "soon. Goodbye.", 1), encoding="utf-8")
    with pytest.raises(PbxError, match=re.escape("[en]: thanks-in needs one {placeholder}")):
        prompts.read_prompts(path)
    path.write_text(shipped.replace("tomorrow = tomorrow\n", "", 1), encoding="utf-8")
    with pytest.raises(PbxError, match="missing text 'tomorrow'"):
        prompts.read_prompts(path)


def test_a_prompt_that_cannot_be_made_is_tried_again_at_the_next_start(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(prompt: prompts.Prompt, target: Path) -> None:
        raise PbxError(f"cannot make the prompt {prompt.key} with espeak-ng: no voice")

    hello = [prompts.Prompt("xx", "hello", "Hello", "xx", 150)]
    assert prompts.ensure_prompts(tmp_path, hello, broken) == 0
    assert "1 callback prompts could not be made, e.g. cannot make the prompt xx/hello" in capsys.readouterr().err
    def working(prompt: prompts.Prompt, target: Path) -> None:
        target.write_bytes(b"hi")

    assert prompts.ensure_prompts(tmp_path, hello, working) == 1


def test_prompts_spoken_once_are_copied_into_another_state_folder(tmp_path: Path) -> None:
    spoken: list[str] = []

    def speak(prompt: prompts.Prompt, target: Path) -> None:
        spoken.append(prompt.text)
        target.write_bytes(prompt.text.encode() * 100)

    hello = [prompts.Prompt("en", "hello", "Hello", "en-us", 150)]
    cache = tmp_path / "cache"
    for home in ("first", "second"):
        assert prompts.ensure_prompts(tmp_path / home, hello, prompts.cached(speak, cache)) == 1
    assert spoken == ["Hello"]  # the second folder got a copy
    assert (tmp_path / "second" / "en" / "hello.sln16").read_bytes() == b"Hello" * 100


def test_the_numbering_plan_follows_the_directory_and_the_queues(tmp_path: Path) -> None:
    people = [*directory.read_people(DIRECTORY_FILE), Person("1021", "New Agent", "agent", ("billing",))]
    shipped = [*queues.read_queues(), *queues.read_queues(queues_ini(tmp_path))]  # billing, 7005
    internal = numbering.people_conf(people).splitlines()
    assert "exten => 1021,1,Goto(user,${EXTEN},1)" in internal
    assert "exten => 1901,1,Goto(user,${EXTEN},1)" in internal
    assert len(internal) == 24 and not any("0912111" in line for line in internal)  # no customer phone
    transfer = numbering.transfer_conf(people, shipped).splitlines()
    for target in ("1021", "1903"):
        assert f"exten => {target},1,Goto(transfer-ring,${{EXTEN}},1)" in transfer
    for mailbox in ("1021", "7001", "7002", "7005"):
        assert f"exten => *{mailbox},1,Goto(transfer-voicemail,${{EXTEN:1}},1)" in transfer
    assert not any("0912111" in line or "7005,1,Goto(transfer-ring" in line for line in transfer)


def test_the_dialplan_names_no_person_and_no_queue_by_hand() -> None:
    for path in CONFIG_DIR.glob("extensions*.conf"):
        dialplan = "\n".join(line for line in path.read_text(encoding="utf-8").splitlines()
                             if not line.lstrip().startswith(";"))
        assert not re.search(r"exten => _?\*?(10|19|70)[0-9X\[]", dialplan), path.name


@pytest.mark.parametrize("extension", ["601", "55"])
def test_a_person_on_a_service_number_is_refused(extension: str) -> None:
    with pytest.raises(PbxError, match=f"extension {extension} of Somebody is a service number"):
        numbering.check_people([Person(extension, "Somebody", "agent")])


def test_generating_secrets_rotates_the_desk_services_token_in_a_private_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("AGENTDESK_PBX_HOME", str(home))
    store = home / "state" / "service-secrets.json"
    assert cli.main(["secrets", "--generate"]) == 0
    first = service.load_service_secrets(store)
    assert cli.main(["secrets", "--generate"]) == 0
    second = service.load_service_secrets(store)
    assert second.pbx_token != first.pbx_token and second.ami_secret != first.ami_secret
    assert len(second.pbx_token) >= 30
    said = capsys.readouterr().out
    assert "New PBX token" in said and second.pbx_token not in said and first.pbx_token not in said
    assert directory.load_secrets(home / "state" / "secrets.json", []).demo is False
    for folder in (home, home / "state"):
        assert folder.stat().st_mode & 0o777 == 0o700, folder
    for secret_file in (store, home / "state" / "secrets.json"):
        assert secret_file.stat().st_mode & 0o777 == 0o600, secret_file


def fake_rootfs(tmp_path: Path, uid: int, gid: int) -> Path:
    root = tmp_path / "rootfs"
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "passwd").write_text(
        f"root:x:0:0:root:/root:/bin/bash\nsshd:x:998:65534::/run/sshd:/usr/sbin/nologin\n"
        f"asterisk:x:{uid}:{gid}:Asterisk PBX daemon:/var/lib/asterisk:/usr/sbin/nologin\n", encoding="utf-8")
    (root / "etc" / "group").write_text(f"root:x:0:\naudio:x:29:asterisk\nasterisk:x:{gid}:\n", encoding="utf-8")
    (root / "var" / "lib" / "asterisk").mkdir(parents=True)
    (root / "var" / "lib" / "asterisk" / "keys").write_text("", encoding="utf-8")
    return root


@pytest.mark.skipif(os.geteuid() != 0, reason="giving files to another uid needs root (as a normal user "
                    "Asterisk runs in a user namespace under that user's own uid)")
def test_asterisks_user_moves_off_ids_the_host_gives_to_another_service(tmp_path: Path) -> None:
    mine = os.getuid(), os.getgid()  # the files of the fake root filesystem are ours: "asterisk's"
    root = fake_rootfs(tmp_path, *mine)
    (root / "var" / "lib" / "tool").write_text("", encoding="utf-8")
    os.chown(root / "var" / "lib" / "tool", 4242, 4243)
    host_uids, host_gids = {mine[0], 999}, {mine[1], 997}  # e.g. postgres has asterisk's uid on the host
    ids = asteriskuser.ensure_own_ids(root, host_uids.__contains__, host_gids.__contains__)
    assert ids == (996, 996)  # 999 and 997 are the host's, 998 the root filesystem's sshd
    passwd = (root / "etc" / "passwd").read_text(encoding="utf-8")
    assert "asterisk:x:996:996:Asterisk PBX daemon" in passwd and "sshd:x:998:" in passwd
    assert "asterisk:x:996:" in (root / "etc" / "group").read_text(encoding="utf-8")
    for path in (root / "var" / "lib" / "asterisk", root / "var" / "lib" / "asterisk" / "keys"):
        assert (path.stat().st_uid, path.stat().st_gid) == (996, 996), path
    tool = root / "var" / "lib" / "tool"
    assert (tool.stat().st_uid, tool.stat().st_gid) == (4242, 4243)  # somebody else's file stays theirs
    # Ids the host does not use are kept as they are.
    assert asteriskuser.ensure_own_ids(root, host_uids.__contains__, host_gids.__contains__) == (996, 996)


def test_without_a_free_id_asterisk_does_not_start_as_another_service(tmp_path: Path) -> None:
    root = fake_rootfs(tmp_path, 101, 101)
    with pytest.raises(PbxError, match="no user and group id from 100 to 999 is free"):
        asteriskuser.ensure_own_ids(root, lambda uid: True, lambda gid: False)


def test_the_missed_offers_before_a_pause_default_to_one_and_are_checked(tmp_path: Path) -> None:
    (plain,) = queues.read_queues(queues_ini(tmp_path))
    assert plain.pause_after_missed_offers == 1
    (patient,) = queues.read_queues(queues_ini(tmp_path, "pause_after_missed_offers = 3\n"))
    assert patient.pause_after_missed_offers == 3
    (never,) = queues.read_queues(queues_ini(tmp_path, "pause_after_missed_offers = 0\n"))
    assert never.pause_after_missed_offers == 0
    for wrong in ("often", "-1", "101"):
        with pytest.raises(PbxError, match=re.escape(f"[billing]: pause_after_missed_offers must be a whole number"
                                                      f" from 0 to 100, not {wrong!r}")):
            queues.read_queues(queues_ini(tmp_path, f"pause_after_missed_offers = {wrong}\n"))
    shipped = queues.read_queues()
    assert {q.name: q.pause_after_missed_offers for q in shipped} == {"support": 1, "sales": 1}


def test_plain_sip_on_the_bind_address_is_asked_for_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AGENTDESK_PLAIN_SIP", raising=False)
    assert not make_network("192.0.2.10", None, None).plain_sip_public
    assert make_network("192.0.2.10", None, None, "bind").plain_sip_public
    monkeypatch.setenv("AGENTDESK_PLAIN_SIP", "bind")
    assert make_network("192.0.2.10", None, None).plain_sip_public
    with pytest.raises(PbxError, match="loopback"):
        make_network("192.0.2.10", None, None, "everywhere")
